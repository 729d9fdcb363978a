import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for signing secrets at rest. Ciphertext format: `v1:<iv>:<tag>:<data>` (base64).
 * The connection id is bound as additional data, so a ciphertext moved to another connection fails to open.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error(`The secret key must be 32 bytes; got ${key.length}.`);
    this.#key = key;
  }

  /** A key from its base64 or hex text form. */
  static fromText(text: string): SecretBox {
    const trimmed = text.trim();
    const key = /^[0-9a-f]{64}$/i.test(trimmed)
      ? Buffer.from(trimmed, 'hex')
      : Buffer.from(trimmed, 'base64');
    return new SecretBox(key);
  }

  static generateKeyText(): string {
    return randomBytes(32).toString('base64');
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      'v1',
      iv.toString('base64'),
      cipher.getAuthTag().toString('base64'),
      data.toString('base64'),
    ].join(':');
  }

  /** Throws when the ciphertext was tampered with, or sealed under another key or context. */
  open(ciphertext: string, context: string): string {
    const [version, iv, tag, data] = ciphertext.split(':');
    if (version !== 'v1' || iv === undefined || tag === undefined || data === undefined) {
      throw new Error('Unrecognised secret ciphertext format.');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  }
}
