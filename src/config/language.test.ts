import { isLanguageCode, languageName } from './language';

describe('digest languages', () => {
  test.each(['en', 'zh', 'ja', 'de', 'fr', 'es', 'ko', 'ru', 'pt', 'ar', 'hi', 'sw'])(
    '%s is an ISO 639-1 code',
    (c) => {
      expect(isLanguageCode(c)).toBe(true);
    },
  );

  test.each(['', 'EN', 'eng', 'zh-CN', 'chinese', 'xx', 'qq', 'iw', 'in', 'ji', 'mo', 'sh', ' en'])(
    '%p is not',
    (c) => {
      expect(isLanguageCode(c)).toBe(false);
    },
  );

  test('named in English, with the native name when it differs', () => {
    expect(languageName('en')).toBe('English');
    expect(languageName('zh')).toBe('Chinese (中文)');
    expect(languageName('ja')).toBe('Japanese (日本語)');
    expect(languageName('de')).toBe('German (Deutsch)');
    expect(languageName('fr')).toBe('French (français)');
  });
});
