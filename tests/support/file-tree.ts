import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A folder described for comparison: every file by checksum and executable bit, every symlink by
 * its target, every folder by name. Two extractions of the same workspace describe the same.
 */
export function describeTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      const relPath = rel ? `${rel}/${name}` : name;
      const full = path.join(root, relPath);
      const stat = fs.lstatSync(full);
      if (stat.isSymbolicLink()) out[relPath] = `symlink -> ${fs.readlinkSync(full)}`;
      else if (stat.isDirectory()) {
        out[relPath] = 'folder';
        walk(relPath);
      } else {
        const sha = createHash('sha256').update(fs.readFileSync(full)).digest('hex').slice(0, 16);
        out[relPath] = `file ${sha}${stat.mode & 0o100 ? ' executable' : ''}`;
      }
    }
  };
  walk('');
  return out;
}
