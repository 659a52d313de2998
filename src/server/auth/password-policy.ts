import { randomInt } from 'node:crypto';
import { AppError } from '../errors';

/** Length over composition (NIST SP 800-63B): at least this long, any characters, spaces included. */
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;
/** How long a temporary code an admin hands over signs in. */
export const TEMPORARY_PASSWORD_HOURS = 72;

/**
 * The most used passwords (breach lists' top entries, Brazilian ones included) that reach the minimum length:
 * refused whatever their length. Compared lower-cased, spaces dropped.
 */
const COMMON = new Set(
  [
    '1234567890', '12345678910', '123456789a', '0123456789', '0987654321', '1111111111', '0000000000', '1234512345',
    '1q2w3e4r5t', '1q2w3e4r5t6y', 'qwertyuiop', 'qwerty1234', 'qwerty12345', 'asdfghjkl1', 'asdfghjkl', 'zxcvbnm123',
    'password12', 'password123', 'password1234', 'passw0rd123', 'iloveyou12', 'iloveyou123', 'abcdefghij', 'abc1234567',
    'senha12345', 'senha123456', 'senhasenha', 'minhasenha', 'minhasenha1', 'minhasenha123', 'mudar12345', 'mudar123456',
    'brasil1234', 'brasil2024', 'brasil2025', 'brasil2026', 'flamengo10', 'flamengo123', 'corinthians', 'corinthians1',
    'palmeiras1', 'palmeiras123', 'saopaulo10', 'vasco12345', 'gremio1234', 'cruzeiro10', 'mercado123', 'supermercado',
    'supermercado1', 'estoque123', 'inventario', 'inventario1', 'admin12345', 'admin123456', 'administrador', 'welcome123',
    'bemvindo123', 'trocar123', 'trocarsenha', 'changeme123', 'letmein123', 'dragon1234', 'football12', 'baseball12',
    'princess12', 'sunshine12', 'monkey1234', 'shadow1234', 'master1234', 'superman12', 'batman1234', 'michael123',
    'jesus12345', 'deusefiel', 'deusefiel1', 'amor123456', 'teamo12345', 'teamo123', 'gabriel123', 'lucas12345',
    'mateus1234', 'mariana123', 'beatriz123', 'familia123', 'aaaaaaaaaa', 'abcabcabca', 'qazwsxedc1', 'qazwsxedcrfv',
  ].map((p) => p.replace(/\s+/g, '')),
);

/**
 * Why a password someone chose is refused, or null: too short, too long, one of the most common, or made of the
 * person's own email or name. The message says what to do; `field` names the input.
 */
export function assertAcceptablePassword(password: string, who: { email: string; name: string }, field = 'password') {
  const plain = password.normalize('NFKC');
  if (plain.length < MIN_PASSWORD_LENGTH) {
    throw new AppError('INVALID', 'password_too_short', `Use at least ${MIN_PASSWORD_LENGTH} characters (a few words make a good one)`, { field, min: MIN_PASSWORD_LENGTH });
  }
  if (plain.length > MAX_PASSWORD_LENGTH) {
    throw new AppError('INVALID', 'password_too_long', `Use at most ${MAX_PASSWORD_LENGTH} characters`, { field, max: MAX_PASSWORD_LENGTH });
  }
  const squashed = plain.toLowerCase().replace(/\s+/g, '');
  if (COMMON.has(squashed) || /^(.)\1+$/.test(squashed) || isSequence(squashed)) {
    throw new AppError('INVALID', 'password_too_common', 'This password is among the most used ones; choose another (a few words make a good one)', { field });
  }
  // Built from who they are: without the parts of their e-mail and name, fewer than 6 characters would be left.
  const plainLetters = (text: string) => text.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase().replace(/[^a-z0-9]/g, '');
  const parts = [...who.email.split('@')[0]!.split(/[._+-]/), ...who.name.split(/\s+/)].map(plainLetters).filter((p) => p.length >= 4);
  const letters = plainLetters(plain);
  let rest = letters;
  for (const part of parts.sort((a, b) => b.length - a.length)) rest = rest.split(part).join('');
  if (rest.length < letters.length && rest.length < 6) {
    throw new AppError('INVALID', 'password_contains_identity', 'Do not build the password from your email or name', { field });
  }
}

/** 0123456789…, 9876…, abcdef…: runs of consecutive characters. */
function isSequence(text: string): boolean {
  if (text.length < 4) return false;
  const step = text.charCodeAt(1) - text.charCodeAt(0);
  if (Math.abs(step) !== 1) return false;
  for (let i = 2; i < text.length; i++) if (text.charCodeAt(i) - text.charCodeAt(i - 1) !== step) return false;
  return true;
}

// No 0/O, 1/I/L: a code read out loud or copied from a screen.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A temporary code an admin hands over: 12 characters in three groups (about 59 bits), e.g. `K7QX-M2RD-9TWA`. */
export function newTemporaryPassword(): string {
  const chars = Array.from({ length: 12 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]!);
  return [chars.slice(0, 4), chars.slice(4, 8), chars.slice(8)].map((g) => g.join('')).join('-');
}

/** What was typed, as it is checked: a temporary code is read off a screen, so case and spaces do not matter. */
export const asTyped = (password: string, temporary: boolean) => (temporary ? password.toUpperCase().replace(/\s+/g, '') : password);
