// Enforces the project rule: every public export has TSDoc with a summary and
// at least one titled `@example` holding a ```ts block, and every such block
// type-checks against the library's source.
//
// 1. Collects the exports of each entry point below (following re-exports).
// 2. Checks each export's own TSDoc (for overloads and merged declarations,
//    the first declaration that has one).
// 3. Writes each ```ts block to .tmp/doc-examples/<ExportName>-<n>.ts and
//    type-checks them all in one program, with the package's specifiers
//    mapped to src/ so no build is needed.
//
// Run: npm run docs:check. Exits 1 on any problem.

/* global console, process -- Node globals; the lint config declares none for scripts */

import { mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The package's entry points. Entries whose file does not exist yet are skipped. */
const ENTRIES = [
  { specifier: 'baton', file: 'src/index.ts' },
  { specifier: 'baton/testing', file: 'src/testing/index.ts' },
  { specifier: 'baton/node', file: 'src/node/index.ts' },
];

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TSCONFIG = path.join(ROOT, 'tsconfig.json');
const OUT_DIR = path.join(ROOT, '.tmp', 'doc-examples');

/**
 * @typedef {object} CodeLine
 * @property {string} text the line with the comment margin removed
 * @property {number} line 0-based line in the source file
 * @property {number} column 0-based column in the source file where `text` starts
 */

/**
 * @typedef {object} Example
 * @property {string} exportName
 * @property {string} title
 * @property {number} index 1-based position among the export's examples
 * @property {string} srcFile path relative to the repository root
 * @property {CodeLine[]} lines the code lines, one per line of the generated file
 * @property {string} outFile absolute path of the generated file
 */

/** @type {string[]} */
const docProblems = [];
/** @type {string[]} */
const typeProblems = [];

/** @param {string} file */
function rel(file) {
  return path.relative(ROOT, file).split(path.sep).join('/');
}

/** @param {readonly ts.Diagnostic[]} diagnostics */
function formatPlain(diagnostics) {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => '\n',
  });
}

/**
 * @param {string} configPath
 * @returns {ts.ParsedCommandLine}
 */
function parseConfig(configPath) {
  /** @type {ts.Diagnostic[]} */
  const fatal = [];
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      fatal.push(d);
    },
  });
  if (parsed === undefined || fatal.length > 0) {
    console.error(formatPlain(fatal));
    console.error(`docs: cannot read ${rel(configPath)}`);
    process.exit(1);
  }
  return parsed;
}

// ---------------------------------------------------------------------------
// Collecting the exports and their TSDoc
// ---------------------------------------------------------------------------

const entries = ENTRIES.filter((e) => existsSync(path.join(ROOT, e.file)));
const rootConfig = parseConfig(TSCONFIG);
const program = ts.createProgram({
  rootNames: entries.map((e) => path.join(ROOT, e.file)),
  options: { ...rootConfig.options, noEmit: true },
});
const checker = program.getTypeChecker();

/**
 * The declaration kind, for messages.
 * @param {ts.Declaration} decl
 */
function kindOf(decl) {
  if (ts.isClassDeclaration(decl)) return 'class';
  if (ts.isInterfaceDeclaration(decl)) return 'interface';
  if (ts.isTypeAliasDeclaration(decl)) return 'type';
  if (ts.isFunctionDeclaration(decl)) return 'function';
  if (ts.isVariableDeclaration(decl)) return 'const';
  if (ts.isEnumDeclaration(decl)) return 'enum';
  if (ts.isModuleDeclaration(decl)) return 'namespace';
  return ts.SyntaxKind[decl.kind];
}

/**
 * The declaration's own JSDoc comment, if any. A file's leading
 * `@packageDocumentation` comment is attached by TypeScript to the first
 * statement, so it is not taken for that statement's documentation.
 * @param {ts.Declaration} decl
 * @returns {ts.JSDoc | undefined}
 */
function ownJsDoc(decl) {
  const docs = ts.getJSDocCommentsAndTags(decl).filter((d) => ts.isJSDoc(d));
  const doc = docs.at(-1);
  if (doc === undefined) return undefined;
  if ((doc.tags ?? []).some((t) => t.tagName.text === 'packageDocumentation')) return undefined;
  return doc;
}

/**
 * Split a JSDoc comment into lines without the comment markers, remembering
 * where each line is in the source file.
 * @param {ts.SourceFile} sf
 * @param {ts.JSDoc} doc
 * @returns {CodeLine[]}
 */
function commentLines(sf, doc) {
  const start = doc.getStart(sf);
  const raw = sf.text.slice(start, doc.end);
  const first = sf.getLineAndCharacterOfPosition(start);
  const rawLines = raw.split(/\r?\n/);
  return rawLines.map((rawLine, i) => {
    let text = rawLine;
    let column = i === 0 ? first.character : 0;
    if (i === rawLines.length - 1) text = text.replace(/\s*\*\/\s*$/, '');
    /** @type {RegExpMatchArray | null} */
    const margin = i === 0 ? /^\/\*\*\s?/.exec(text) : /^\s*\*(?!\/) ?/.exec(text);
    if (margin !== null) {
      text = text.slice(margin[0].length);
      column += margin[0].length;
    }
    return { text: text.trimEnd(), line: first.line + i, column };
  });
}

/**
 * @typedef {object} ParsedDoc
 * @property {string} summary
 * @property {{ name: string, first: string, line: number, body: CodeLine[] }[]} tags
 * @property {string[]} errors problems with the comment's structure
 */

/**
 * Parse a comment's lines into a summary and block tags. Fenced code is
 * opaque: an `@` at the start of a line inside it starts no tag.
 * @param {CodeLine[]} lines
 * @returns {ParsedDoc}
 */
function parseDoc(lines) {
  /** @type {string[]} */
  const summary = [];
  /** @type {ParsedDoc['tags']} */
  const tags = [];
  /** @type {string[]} */
  const errors = [];
  let inFence = false;
  let fenceLine = 0;
  for (const l of lines) {
    const trimmed = l.text.trim();
    if (!inFence) {
      const tag = /^@(\w+)\s*(.*)$/.exec(trimmed);
      if (tag !== null) {
        tags.push({ name: tag[1] ?? '', first: (tag[2] ?? '').trim(), line: l.line, body: [] });
        continue;
      }
    }
    if (trimmed.startsWith('```')) {
      inFence = !inFence;
      fenceLine = l.line;
    }
    const current = tags.at(-1);
    if (current === undefined) summary.push(l.text);
    else current.body.push(l);
  }
  if (inFence) errors.push(`unclosed code fence opened on line ${fenceLine + 1}`);
  return { summary: summary.join('\n').trim(), tags, errors };
}

/**
 * The ```ts blocks of an example body.
 * @param {CodeLine[]} body
 * @returns {CodeLine[][]}
 */
function tsBlocks(body) {
  /** @type {CodeLine[][]} */
  const blocks = [];
  /** @type {CodeLine[] | undefined} */
  let current = undefined;
  let inFence = false;
  /** @type {string} */
  let indent = '';
  for (const l of body) {
    const trimmed = l.text.trim();
    if (!inFence && trimmed.startsWith('```')) {
      inFence = true;
      indent = /^\s*/.exec(l.text)?.[0] ?? '';
      const lang = trimmed.slice(3).trim().split(/\s+/)[0] ?? '';
      current = lang === 'ts' || lang === 'typescript' ? [] : undefined;
    } else if (inFence && trimmed.startsWith('```')) {
      inFence = false;
      if (current !== undefined) blocks.push(current);
      current = undefined;
    } else if (current !== undefined) {
      // Drop the fence's own indentation, if the block is indented as a whole.
      const cut = l.text.startsWith(indent) ? indent.length : 0;
      current.push({ text: l.text.slice(cut), line: l.line, column: l.column + cut });
    }
  }
  return blocks;
}

/** @type {Example[]} */
const examples = [];
/**
 * How many example files each export name has so far, keyed by the lower-cased
 * name: `TaskGroup` and `taskGroup` share one count, so their files differ by
 * more than case (case-insensitive file systems, forceConsistentCasingInFileNames).
 * @type {Map<string, number>}
 */
const fileCounts = new Map();
/** @type {Set<ts.Declaration>} declarations already checked (exported by several entries) */
const seen = new Set();
let exportCount = 0;

for (const entry of entries) {
  const sf = program.getSourceFile(path.join(ROOT, entry.file));
  const moduleSymbol = sf === undefined ? undefined : checker.getSymbolAtLocation(sf);
  if (moduleSymbol === undefined) {
    docProblems.push(`${entry.file}: cannot read the exports of ${entry.specifier}`);
    continue;
  }
  const exported = [...checker.getExportsOfModule(moduleSymbol)].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const exportSymbol of exported) {
    const name = exportSymbol.name;
    const symbol =
      (exportSymbol.flags & ts.SymbolFlags.Alias) !== 0 ? checker.getAliasedSymbol(exportSymbol) : exportSymbol;
    const declarations = symbol.declarations ?? [];
    const firstDecl = declarations[0];
    if (firstDecl === undefined) {
      docProblems.push(`${entry.file}: ${name} (${entry.specifier}): no declaration found`);
      continue;
    }
    if (seen.has(firstDecl)) continue;
    seen.add(firstDecl);
    exportCount++;

    // Overloads and merged declarations: the first one with its own TSDoc counts.
    const documented = declarations.find((d) => ownJsDoc(d) !== undefined) ?? firstDecl;
    const declFile = documented.getSourceFile();
    const srcFile = rel(declFile.fileName);
    const declLine = declFile.getLineAndCharacterOfPosition(documented.getStart(declFile)).line + 1;
    const where = `${srcFile}:${declLine}  ${name} (${kindOf(documented)}, ${entry.specifier})`;
    const doc = ownJsDoc(documented);
    if (doc === undefined) {
      docProblems.push(`${where}: no TSDoc comment`);
      continue;
    }
    const parsed = parseDoc(commentLines(declFile, doc));
    for (const error of parsed.errors) docProblems.push(`${where}: ${error}`);
    if (parsed.summary === '') docProblems.push(`${where}: the TSDoc has no summary`);
    const exampleTags = parsed.tags.filter((t) => t.name === 'example');
    if (exampleTags.length === 0) {
      docProblems.push(`${where}: no @example`);
      continue;
    }
    exampleTags.forEach((tag, i) => {
      const at = `${srcFile}:${tag.line + 1}  ${name} (${kindOf(documented)}, ${entry.specifier}), example ${i + 1}`;
      if (tag.first === '' || tag.first.startsWith('```')) {
        docProblems.push(`${at}: no title (write it on the @example line: "@example What this shows")`);
      }
      const blocks = tsBlocks(tag.body);
      if (blocks.length === 0) {
        docProblems.push(`${at}: no \`\`\`ts code block`);
        return;
      }
      for (const lines of blocks) {
        const n = (fileCounts.get(name.toLowerCase()) ?? 0) + 1;
        fileCounts.set(name.toLowerCase(), n);
        examples.push({
          exportName: name,
          title: tag.first,
          index: i + 1,
          srcFile,
          lines,
          outFile: path.join(OUT_DIR, `${name}-${n}.ts`),
        });
      }
    });
  }
}

// ---------------------------------------------------------------------------
// Type-checking the examples
// ---------------------------------------------------------------------------

rmSync(OUT_DIR, { recursive: true, force: true });
mkdirSync(OUT_DIR, { recursive: true });

/**
 * Whether the code has top-level module syntax (import/export), so it is a
 * module whatever the module detection says.
 * @param {string} code
 */
function hasModuleSyntax(code) {
  const sf = ts.createSourceFile('example.ts', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  return sf.statements.some(
    (s) =>
      ts.isImportDeclaration(s) ||
      ts.isImportEqualsDeclaration(s) ||
      ts.isExportDeclaration(s) ||
      ts.isExportAssignment(s) ||
      (ts.canHaveModifiers(s) && (ts.getModifiers(s) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)),
  );
}

for (const example of examples) {
  let code = example.lines.map((l) => l.text).join('\n') + '\n';
  // Appended after the last line, so example lines keep their numbers.
  if (!hasModuleSyntax(code)) code += 'export {};\n';
  writeFileSync(example.outFile, code);
}

if (examples.length > 0) {
  /** @type {Record<string, string[]>} */
  const paths = {};
  for (const entry of entries) paths[entry.specifier] = [`../../${entry.file}`];
  const exampleConfig = {
    extends: '../../tsconfig.json',
    compilerOptions: {
      noEmit: true,
      noUnusedLocals: false,
      noUnusedParameters: false,
      // Every example is a module, so top-level await and imports work.
      moduleDetection: 'force',
      paths,
    },
    files: examples.map((e) => path.basename(e.outFile)),
    include: [],
  };
  const configPath = path.join(OUT_DIR, 'tsconfig.json');
  writeFileSync(configPath, JSON.stringify(exampleConfig, null, 2) + '\n');

  const config = parseConfig(configPath);
  const exampleProgram = ts.createProgram({
    rootNames: config.fileNames,
    options: config.options,
    configFileParsingDiagnostics: config.errors,
  });
  const diagnostics = [...config.errors, ...ts.getPreEmitDiagnostics(exampleProgram)];

  /** @type {Map<string, Example>} */
  const byFile = new Map(examples.map((e) => [path.resolve(e.outFile), e]));
  for (const d of diagnostics) {
    const message = `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n      ')}`;
    if (d.file === undefined || d.start === undefined) {
      typeProblems.push(`(example program) ${message}`);
      continue;
    }
    const pos = d.file.getLineAndCharacterOfPosition(d.start);
    const example = byFile.get(path.resolve(d.file.fileName));
    if (example === undefined) {
      // An error outside the examples: in the library itself, as the examples see it.
      typeProblems.push(`${rel(d.file.fileName)}:${pos.line + 1}:${pos.character + 1}  (library code) ${message}`);
      continue;
    }
    const src = example.lines[pos.line];
    const srcAt = src === undefined ? example.srcFile : `${example.srcFile}:${src.line + 1}:${src.column + pos.character + 1}`;
    typeProblems.push(
      `${srcAt}  ${example.exportName}, example ${example.index} "${example.title}"` +
        ` (${rel(example.outFile)}:${pos.line + 1}:${pos.character + 1})\n      ${message}`,
    );
  }
}

// ---------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------

if (docProblems.length > 0 || typeProblems.length > 0) {
  if (docProblems.length > 0) {
    console.error('Exports without the required TSDoc (a summary and a titled @example with a ```ts block):');
    for (const p of docProblems) console.error(`  ${p}`);
  }
  if (typeProblems.length > 0) {
    if (docProblems.length > 0) console.error('');
    console.error('Doc examples that do not type-check:');
    for (const p of typeProblems) console.error(`  ${p}`);
  }
  console.error(
    `\ndocs: ${docProblems.length} documentation problem(s), ${typeProblems.length} type error(s)` +
      ` in ${exportCount} exports, ${examples.length} examples`,
  );
  process.exit(1);
}

console.log(`docs: ${exportCount} exports documented, ${examples.length} examples type-checked`);
