/**
 * Import boundaries and cycles (`npm run check:imports`, run by .ci/run before the tests):
 * - nothing under client/ or protocol/ imports server/ (the client has its own transport);
 * - protocol/ (the contract) imports nothing but zod and itself;
 * - no circular imports anywhere.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'client-imports-no-server',
      severity: 'error',
      comment: 'The SDK and CLI must build without server code: talk to the server over HTTP/WebSocket, share only protocol/.',
      from: { path: '^(client|protocol)/' },
      to: { path: '^server/' },
    },
    {
      name: 'protocol-imports-only-zod',
      severity: 'error',
      comment: 'The contract is imported by servers, SDKs and web pages: it depends on zod alone.',
      from: { path: '^protocol/' },
      to: { pathNot: ['^protocol/', '^node_modules/zod/'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Circular imports make module order matter; move the shared part into its own module.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // The debugger page's build output (client/web/dist, git-ignored) is bundled code, not source.
    exclude: { path: 'client/web/dist' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
