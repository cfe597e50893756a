export const base = { root: new URL('.', import.meta.url).pathname, include: ['api.test.mjs'], pool: 'forks', watch: false };
