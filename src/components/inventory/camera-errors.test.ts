import { describe, expect, it } from 'vitest';
import { cameraErrorMessage } from './camera-errors';

const domError = (name: string, message = 'English text from the browser') => Object.assign(new Error(message), { name });

describe('cameraErrorMessage', () => {
  it.each([
    ['NotAllowedError', /acesso à câmera foi negado.*Permita a câmera/],
    ['NotFoundError', /Nenhuma câmera foi encontrada/],
    ['OverconstrainedError', /Nenhuma câmera foi encontrada/],
    ['NotReadableError', /em uso por outro aplicativo/],
    ['SecurityError', /bloqueou a câmera/],
  ])('says in Portuguese what %s means and what to do', (name, expected) => {
    const message = cameraErrorMessage(domError(name), true);
    expect(message).toMatch(expected);
    expect(message).toMatch(/leitor de código de barras ou digite o código/);
    expect(message).not.toMatch(/English|Permission|denied|device/i);
  });

  it('without a secure context (plain http on the LAN) says the camera needs https', () => {
    // navigator.mediaDevices is undefined there: reading getUserMedia of it throws a TypeError.
    expect(cameraErrorMessage(new TypeError("Cannot read properties of undefined (reading 'getUserMedia')"), false)).toMatch(/conexão segura \(endereço com https\)/);
  });

  it('never shows the browser text of an unknown failure', () => {
    const message = cameraErrorMessage(domError('WeirdError', 'Something odd happened'), true);
    expect(message).toBe('Não foi possível abrir a câmera. Use o leitor de código de barras ou digite o código.');
  });
});
