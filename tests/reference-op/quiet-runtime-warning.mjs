// oidc-provider 9 warns at import on a Node LTS older than 22 ("Unsupported runtime"). The
// test command runs Debian's Node 20 LTS, on which these tests pass; that one expected line
// is dropped so that a real warning stands out. Every other warning passes through. Imported
// by op.mjs before oidc-provider (ES modules run in import order); op.mjs puts
// console.warn back once oidc-provider has loaded.
export const consoleWarn = console.warn;
console.warn = (...args) => {
  if (!String(args[0]).includes('oidc-provider WARNING: Unsupported runtime')) consoleWarn(...args);
};
