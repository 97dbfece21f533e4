import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { HooklineError } from '../../core/errors/hookline.error';
import type { KeyProvider } from './key-provider';

/** An encrypted value as stored: the key's id, and `iv (12) | tag (16) | ciphertext`. */
export interface SealedSecret {
  keyId: string;
  value: Buffer;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A stored secret cannot be decrypted: its key is unknown, or the value was tampered with. */
export class SecretUnreadableError extends HooklineError {
  constructor(message: string) {
    super('SECRET_UNREADABLE', message);
  }
}

/**
 * AES-256-GCM with a fresh random IV per value. The additional data binds a value to its tenant and
 * name, so a ciphertext copied to another row does not decrypt.
 */
export class SecretCipher {
  constructor(private readonly keys: KeyProvider) {}

  async seal(plaintext: string, aad: string): Promise<SealedSecret> {
    const { id, key } = await this.keys.current();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId: id, value: Buffer.concat([iv, cipher.getAuthTag(), ciphertext]) };
  }

  async open(sealed: SealedSecret, aad: string): Promise<string> {
    const key = await this.keys.get(sealed.keyId);
    if (!key) throw new SecretUnreadableError(`the secret ${aad} was encrypted with the key "${sealed.keyId}", which is not configured`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.value.subarray(0, IV_BYTES));
      decipher.setAuthTag(sealed.value.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      return Buffer.concat([decipher.update(sealed.value.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretUnreadableError(`the secret ${aad} does not decrypt with the key "${sealed.keyId}" (wrong key or altered value)`);
    }
  }

  /** The id of the key new values are sealed with. */
  async currentKeyId(): Promise<string> {
    return (await this.keys.current()).id;
  }
}
