// Where the portal's templates and static files live. They are not compiled,
// so both src/web/index.ts (tsx/tap) and dist/web/index.js resolve them from
// the source tree: <root>/src/web/{templates,assets}.
import { fileURLToPath } from 'node:url'

const webDir = new URL('../../src/web/', import.meta.url)

export const TEMPLATES_DIR = fileURLToPath(new URL('templates/', webDir))
export const ASSETS_DIR = fileURLToPath(new URL('assets/', webDir))
