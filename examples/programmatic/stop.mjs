// Any supported Node (22.12+): the same without `await using`.
import { loadConfig, start } from 'cleanroom-e2e';

const services = await start(await loadConfig());
try {
  const res = await fetch(`${services.info.api.url}/api/items`);
  console.log('items:', await res.json());
} finally {
  const summary = await services.stop(); // safe to call twice
  if (summary.portsHeld.length || summary.left.length || summary.failures.length) process.exitCode = 1;
}
