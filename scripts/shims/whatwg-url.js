// node-fetch 2 loads whatwg-url only to fall back on when `require('url').URL` is missing, which
// never happens on Node 20. Its tr46 tables are ~280 KB of every task bundle, parsed at each
// start; bundling this instead keeps the same URL class.
'use strict';
module.exports = { URL: require('node:url').URL };
