import assert from 'node:assert/strict';
import { test } from 'node:test';
import { profileErrorPage, profilePage } from './pages';

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
