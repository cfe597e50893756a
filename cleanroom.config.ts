import { defineConfig } from 'cleanroom-e2e';

// The demo's services: the backend forks two workers (like uvicorn --workers 2); the frontend is a
// real Vite dev server started through npm (npm → sh → node vite → esbuild).
export default defineConfig({
  // This repo's demo runs on developers' machines: if something else already serves 3000 or 8000 it
  // fails, naming that process, instead of stopping it — even in CI (the default, 'auto', stops a
  // live server with a living parent in CI, and a leftover anywhere).
  portInUse: 'error',
  services: {
    backend: { command: 'node server.js', cwd: 'fixtures/backend', port: 8000, ready: { url: 'http://localhost:8000/health' } },
    frontend: {
      command: 'npm run dev',
      cwd: 'fixtures/frontend',
      port: 3000,
      env: { BACKEND_URL: 'http://127.0.0.1:8000' },
      dependsOn: ['backend'],
    },
  },
});
