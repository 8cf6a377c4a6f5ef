// `npm run build` starts from an empty dist/, so a module deleted from the sources cannot linger in the package.
import { rmSync } from "node:fs";

rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
