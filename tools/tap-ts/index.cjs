// A tap plugin that loads the tests' TypeScript (test/ and src/) in place of
// tap's default ts-node. ts-node transpiled every module again in each of the
// ~130 test processes: importing src/app.ts took 5-7 s per test file under
// CI load, most of the suite's time. hooks.mjs transpiles the same way
// (TypeScript's transpileModule) but caches the output on disk, so each
// module is transpiled once per suite. `preload` registers the hooks ahead of
// tap's process-info hooks, which must see the compiled files to count their
// coverage. (tsx and esbuild are faster still, but their source maps place
// some function starts a column away from tsc's maps of dist/, so coverage
// counted each such function twice.)
exports.importLoader = 'dachportal-tap-ts/register.mjs'
exports.preload = true
exports.testFileExtensions = ['ts']
exports.plugin = () => ({})
