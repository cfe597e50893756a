// A database in Docker: docker-proxy (dockerd's child, outside this tree) listens on 5432.
import { defineConfig } from 'cleanroom-e2e';

export default defineConfig({
  services: {
    db: {
      command: 'docker compose up postgres', // stays in the foreground, like a dev server
      port: 5432,
      readyTimeout: 120_000, // the first run pulls the image
      stopCommand: 'docker compose down', // run at teardown, before SIGTERM to `docker compose up`
      stopCommandTimeout: 30_000,
    },
    api: {
      command: 'npm run start:api',
      port: 8000,
      ready: 'http://localhost:8000/health',
      dependsOn: ['db'],
    },
  },
});
