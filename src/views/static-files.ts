/**
 * The files pages link to, in src/static/web, served by src/routes/static-file.ts. Each URL carries
 * the file's version, the start of its SHA-256 (test/unit/static-files.test.ts fails until it is
 * updated after an edit), so a browser keeps each file for a year and fetches a changed one at
 * once. Shared by every page, they are fetched once rather than sent with each page.
 */
export const STATIC_FILES = {
  'pages.css': '453ebcac8315',
  'passkeys.js': '888405e96175',
  'show-password.js': '5442dfefca1d',
} as const;

export type StaticFile = keyof typeof STATIC_FILES;
export type ScriptFile = Extract<StaticFile, `${string}.js`>;

export const isStaticFile = (name: string): name is StaticFile => Object.hasOwn(STATIC_FILES, name);

export const staticUrl = (name: StaticFile): string => `/static/${name}?v=${STATIC_FILES[name]}`;
