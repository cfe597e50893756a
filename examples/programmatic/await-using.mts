// Node 24+ runs this file as written (`node await-using.mts`: types are stripped, `await using` is native).
import { loadConfig, start } from 'cleanroom-e2e';

{
  await using services = await start(await loadConfig()); // finds cleanroom.config.ts from the cwd up
  services.onFailure((exit) => console.error(`${exit.service} ${exit.reason}`));

  const res = await fetch(`${services.info.api.url}/api/items`);
  console.log('items:', await res.json()); // items: [ 'apple', 'pear' ]
  console.log('env for a child process:', Object.keys(services.env)); // CLEANROOM_API_URL, …
} // leaving the block stops every service and frees the ports, whatever happened inside
