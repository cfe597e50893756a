// A stand-in for your backend (the examples start it as `node api.mjs`): GET /health, GET /api/items.
import { createServer } from 'node:http';

const items = ['apple', 'pear'];
createServer((req, res) => {
  if (req.url === '/health') return res.end('ok');
  if (req.url === '/api/items') {
    res.setHeader('content-type', 'application/json');
    return res.end(JSON.stringify(items));
  }
  res.statusCode = 404;
  res.end('not found');
}).listen(Number(process.env.PORT), () => console.log(`api listening on ${process.env.PORT}`));
