// node-fetch 2 tries `require('encoding')` in a try/catch for textConverted(), which the tasks never
// call. Left external, that require searched node_modules on every task start and threw; bundling
// this stand-in gives node-fetch the same answer (no converter) without the search.
'use strict';
module.exports = {};
