// Command line for scripts/setup-tools.sh (and any later tool installer):
//   node scripts/tools/cli.mjs install-npm --tools-dir D --folder F --spec PKG@VER --what TEXT --entry REL
//        [--name SHORT] [--estimate SECONDS] [--allow-scripts a,b] [--path-first DIR] [--env NAME=VALUE ...] [--prefix TEXT]
//   node scripts/tools/cli.mjs record-paths --tools-dir D NAME=VALUE ...
// install-npm prints the installed folder on stdout; a failure prints its cause, the fix and the log's end.
import { parseArgs } from 'node:util';
import { installNpmTool, ToolInstallError } from './npmTool.mjs';
import { recordToolPaths } from './toolPaths.mjs';

const pairs = (list = []) =>
  Object.fromEntries(
    list.map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`expected NAME=VALUE, got "${pair}"`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );

const [command, ...rest] = process.argv.slice(2);
const { values, positionals } = parseArgs({
  args: rest,
  allowPositionals: true,
  options: {
    'tools-dir': { type: 'string' },
    folder: { type: 'string' },
    spec: { type: 'string' },
    what: { type: 'string' },
    name: { type: 'string' },
    entry: { type: 'string' },
    estimate: { type: 'string' },
    'allow-scripts': { type: 'string' },
    'path-first': { type: 'string' },
    env: { type: 'string', multiple: true },
    prefix: { type: 'string', default: '' },
  },
});
const required = (name) => {
  if (!values[name]) throw new Error(`${command}: --${name} is required`);
  return values[name];
};

try {
  if (command === 'install-npm') {
    const { dir } = await installNpmTool({
      toolsDir: required('tools-dir'),
      folder: required('folder'),
      spec: required('spec'),
      what: required('what'),
      name: values.name,
      entry: required('entry'),
      estimateSeconds: values.estimate ? Number(values.estimate) : undefined,
      allowScripts: values['allow-scripts'] ? values['allow-scripts'].split(',') : [],
      pathFirst: values['path-first'],
      env: pairs(values.env),
      prefix: values.prefix,
    });
    process.stdout.write(`${dir}\n`);
  } else if (command === 'record-paths') {
    recordToolPaths(required('tools-dir'), pairs(positionals));
  } else {
    throw new Error(`unknown command "${command}" (install-npm or record-paths)`);
  }
} catch (error) {
  const lines = error instanceof ToolInstallError ? error.reportLines() : [`ERROR: ${error instanceof Error ? error.message : String(error)}`];
  for (const line of lines) process.stderr.write(`${values.prefix}${line}\n`);
  process.exit(1);
}
