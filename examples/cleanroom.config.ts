import { defineConfig } from 'cleanroom-e2e';

export default defineConfig({
  portBase: 4100, // where port: 'auto' starts looking (default 8000)
  services: {
    api: {
      command: 'node api.mjs', // your backend: 'uvicorn app:app --port {port}', 'npm run start:api', …
      port: 'auto', // a free port, given to the service as PORT and {port}; or a fixed one: port: 8000
      // ready (default): its port accepts a connection and the listener is its own process.
      // With a fixed port, an HTTP check: ready: 'http://localhost:8000/health'
    },
    web: {
      command: ['node', 'web.mjs', '--port', '{port}'], // your frontend: 'vite --port {port} --strictPort'
      port: 'auto',
      dependsOn: ['api'], // started once api is ready
    },
  },
});

// Optional: types the service names, so inject('cleanroom').apii is a type error.
declare module 'cleanroom-e2e' {
  interface Register {
    config: typeof import('./cleanroom.config.js').default;
  }
}
