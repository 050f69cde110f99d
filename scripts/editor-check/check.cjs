// Reads .vscode/settings.json as the official Cucumber extension for VS Code does, builds the
// step definitions from the Rust glue with the extension's own engine
// (@cucumber/language-service, tree-sitter), and reports every step in the features that the
// editor would underline as undefined. Then it proves it can fail: a step nobody wrote must be
// reported. Exit 0 when every step resolves, 1 when one does not, 2 when the check cannot run.
'use strict';
const fs = require('fs');
const path = require('path');
const ls = require('@cucumber/language-service');
const { WasmParserAdapter } = require('@cucumber/language-service/wasm');

/** Files under root matching "dir/**\/*.ext" or "dir/*.ext" (the forms settings.json uses). */
function expand(root, pattern) {
  const m = pattern.match(/^(.*?)\/(\*\*\/)?\*(\.[A-Za-z0-9]+)$/);
  if (!m) throw new Error(`unsupported glob ${pattern} (use dir/**/*.ext)`);
  const [, dir, deep, ext] = m;
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && deep) walk(p);
      else if (e.isFile() && p.endsWith(ext)) out.push(p);
    }
  };
  walk(path.join(root, dir));
  return out.sort();
}

(async () => {
  const root = path.resolve(process.argv[2] || '.');
  const settings = JSON.parse(fs.readFileSync(path.join(root, '.vscode/settings.json'), 'utf8'));
  const glue = settings['cucumber.glue'].flatMap((g) => expand(root, g));
  const features = settings['cucumber.features'].flatMap((g) => expand(root, g));
  const adapter = new WasmParserAdapter(path.join(__dirname, 'node_modules/@cucumber/language-service/dist'));
  await adapter.init();
  const sources = glue.map((f) => ({ languageName: 'rust', uri: `file://${f}`, content: fs.readFileSync(f, 'utf8') }));
  const built = new ls.ExpressionBuilder(adapter).build(sources, []);
  const attributes = glue
    .map((f) => (fs.readFileSync(f, 'utf8').match(/^#\[(given|when|then)\(/gm) || []).length)
    .reduce((a, b) => a + b, 0);
  for (const e of built.errors) console.log(`glue error: ${e.message || e}`);
  const expressions = built.expressionLinks.map((l) => l.expression);
  console.log(`editor check: ${expressions.length} step definitions from ${glue.length} glue files (${attributes} step attributes), ${features.length} feature files`);
  let failures = built.errors.length;
  if (expressions.length !== attributes) {
    console.log(`the engine read ${expressions.length} definitions but the glue has ${attributes} step attributes`);
    failures++;
  }
  for (const f of features) {
    for (const d of ls.getGherkinDiagnostics(fs.readFileSync(f, 'utf8'), expressions)) {
      console.log(`${path.relative(root, f)}:${d.range.start.line + 1}: ${d.message}`);
      failures++;
    }
  }
  const probe = 'Feature: probe\n  Scenario: probe\n    Given a step nobody has written\n';
  const caught = ls.getGherkinDiagnostics(probe, expressions).length;
  if (caught !== 1) {
    console.log(`the check cannot fail: an unknown step gave ${caught} diagnostics, expected 1`);
    process.exit(2);
  }
  console.log(failures === 0 ? 'every step resolves (an unknown step is reported)' : `${failures} problems`);
  process.exit(failures === 0 ? 0 : 1);
})().catch((e) => {
  console.error(`editor check could not run: ${e.stack || e}`);
  process.exit(2);
});
