import { defineConfig } from 'cleanroom';

export default defineConfig({
  services: {
    backend: { command: 'node server.js', cwd: 'fixtures/backend', port: 8000, ready: { url: 'http://localhost:8000/health' } },
    frontend: { command: 'npm run dev', cwd: 'fixtures/frontend', port: 3000, env: { BACKEND_URL: 'http://127.0.0.1:8000' }, dependsOn: ['backend'] },
  },
});
