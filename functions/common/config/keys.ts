import { hkdfSync } from 'node:crypto';
import { secretValue } from './secrets';

export interface DerivedKeys {
  /** Keys the hash of a shopper's IP, so the raw IP is never stored. */
  ipHash: Buffer;
  /** Encrypts merchants' webhook secrets at rest in the config table. */
  webhookSecrets: Buffer;
}

let derived: Promise<DerivedKeys> | undefined;

/** Purpose-bound keys derived (HKDF-SHA256) from the one master secret. */
export function keys(): Promise<DerivedKeys> {
  derived ??= secretValue('masterKey').then((master) => ({
    ipHash: derive(master, 'creditlink/ip-hash/v1'),
    webhookSecrets: derive(master, 'creditlink/webhook-secrets/v1'),
  }));
  derived.catch(() => {
    derived = undefined;
  });
  return derived;
}

function derive(master: string, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(master, 'utf8'), Buffer.alloc(0), info, 32));
}
