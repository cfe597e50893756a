// A stand-in for your frontend's dev server (the examples start it as `node web.mjs --port N`).
import { createServer } from 'node:http';

const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
createServer((_req, res) => {
  res.setHeader('content-type', 'text/html');
  res.end('<!doctype html><title>Shop</title><h1>Items</h1>');
}).listen(port, () => console.log(`web listening on ${port}`));
