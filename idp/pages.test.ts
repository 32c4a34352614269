import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loginPage, profileErrorPage, profilePage } from './pages';

test('the login form asks for the one-time code only when mfa was asked, and prints the demo code', () => {
  const plain = loginPage('uid-1', 'Renewal');
  assert.doesNotMatch(plain, /id="otp"/);
  assert.doesNotMatch(plain, /One-time code/);
  const mfa = loginPage('uid-1', 'Renewal', { askOtp: true, error: 'Wrong or missing one-time code.' });
  assert.match(mfa, /<label for="otp">One-time code<\/label><input id="otp" name="otp"[^>]* required>/);
  assert.match(mfa, /One-time code: 123456\./);
  assert.match(mfa, /role="alert">Wrong or missing one-time code\.</);
});

test('the profile page escapes what people typed, and shows the notice after an update', () => {
  const accounts = [{ id: 'alice', username: 'alice', password: 'password', name: '<script>x</script>', email: 'a"b@example.test' }];
  const page = profilePage(accounts, 'alice');
  assert.doesNotMatch(page, /<script>x/);
  assert.match(page, /value="&#60;script&#62;x&#60;\/script&#62;"/);
  assert.match(page, /value="a&#34;b@example.test"/);
  assert.match(page, /Updated\. The app shows it after its next renewal\./);
  assert.doesNotMatch(profilePage(accounts), /Updated\./);
  assert.match(profileErrorPage('<b>bad</b>'), /&#60;b&#62;bad&#60;\/b&#62;/);
});
