// Where the portal's templates and static files live: beside this module.
// Under tsx/tap that is src/web/{templates,assets}; the compiled app reads
// dist/web/{templates,assets}, which scripts/after-build.mjs copies there
// (the build never makes dist/ read from src/).
import { fileURLToPath } from 'node:url'

export const TEMPLATES_DIR = fileURLToPath(new URL('templates/', import.meta.url))
export const ASSETS_DIR = fileURLToPath(new URL('assets/', import.meta.url))
