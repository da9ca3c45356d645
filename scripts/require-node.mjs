/**
 * Spokes runs its TypeScript sources with Node 24's type stripping; an older
 * Node fails on the first `.ts` file with a raw ERR_UNKNOWN_FILE_EXTENSION
 * stack. Every npm script and the `spokes` command load this plain-JavaScript
 * check first, so an older Node stops at once with one line saying what to
 * install. (npm scripts normally run Node 24 anyway: the `node` package among
 * the dependencies puts it first on their PATH — docs/decisions.md.)
 */
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `spokes: Node.js 24 or later is needed, this is ${process.version}: run \`npm install\` in the Spokes folder (it fetches Node 24 for npm scripts), or install Node.js 24 LTS (https://nodejs.org, or \`nvm install\`, which reads .nvmrc).\n`,
  );
  process.exit(1);
}
