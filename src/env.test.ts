import { createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseEnv } from './env';
import { webPushConfigOf } from './server/integrations/fcm/web-config';

describe('environment', () => {
  it('has working defaults for the embedded mode (nothing set)', () => {
    const env = parseEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.PORT).toBe(3000);
    expect(env.SESSION_TTL_HOURS).toBe(24);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ DATABASE_POOL_MAX: '0' }, 'DATABASE_POOL_MAX'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ UPSTASH_REDIS_REST_URL: 'https://x.upstash.io' }, 'UPSTASH_REDIS_REST_TOKEN'],
    [{ HTTPS_CERT_FILE: '/tmp/cert.pem' }, 'HTTPS_KEY_FILE'],
  ])('refuses %o naming %s', (source, variable) => {
    expect(() => parseEnv(source)).toThrow(variable);
  });

  it('treats an empty URL as unset', () => {
    expect(parseEnv({ REDIS_URL: '' }).REDIS_URL).toBeUndefined();
  });

  describe('browser push (FIREBASE_WEB_*)', () => {
    const vapidKey = createECDH('prime256v1').generateKeys().toString('base64url');
    const web = {
      FIREBASE_WEB_API_KEY: 'AIzaSyExampleExampleExampleExample000',
      FIREBASE_WEB_PROJECT_ID: 'myinventory-demo',
      FIREBASE_WEB_APP_ID: '1:123456789012:web:0123456789abcdef',
      FIREBASE_WEB_MESSAGING_SENDER_ID: '123456789012',
      FIREBASE_WEB_VAPID_KEY: vapidKey,
    };

    it('is off when none is set, and served whole when all five are', () => {
      expect(webPushConfigOf(parseEnv({}))).toBeNull();
      expect(webPushConfigOf(parseEnv(web))).toEqual({
        apiKey: web.FIREBASE_WEB_API_KEY,
        projectId: 'myinventory-demo',
        appId: web.FIREBASE_WEB_APP_ID,
        messagingSenderId: '123456789012',
        vapidKey,
      });
    });

    it('refuses a partial set, naming what is missing', () => {
      expect(() => parseEnv({ ...web, FIREBASE_WEB_APP_ID: '', FIREBASE_WEB_VAPID_KEY: undefined })).toThrow('FIREBASE_WEB_APP_ID, FIREBASE_WEB_VAPID_KEY');
    });

    it.each([
      [{ FIREBASE_WEB_VAPID_KEY: 'not-a-key' }, 'FIREBASE_WEB_VAPID_KEY'],
      [{ FIREBASE_WEB_VAPID_KEY: Buffer.alloc(65, 1).toString('base64url') }, 'FIREBASE_WEB_VAPID_KEY'],
      [{ FIREBASE_WEB_MESSAGING_SENDER_ID: 'sender' }, 'FIREBASE_WEB_MESSAGING_SENDER_ID'],
      [{ FCM_PROJECT_ID: 'another-project' }, 'FIREBASE_WEB_PROJECT_ID'],
    ])('refuses %o naming %s', (override, variable) => {
      expect(() => parseEnv({ ...web, ...override })).toThrow(variable);
    });
  });
});
