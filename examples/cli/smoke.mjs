// Any command works under `cleanroom run`; it gets CLEANROOM_<NAME>_URL and _PORT.
const res = await fetch(`${process.env.CLEANROOM_API_URL}/api/items`);
const items = await res.json();
console.log('smoke:', items);
process.exit(items.length === 2 ? 0 : 1);
