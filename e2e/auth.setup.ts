import { signInAndSave, test as setup } from './fixtures';

// The `setup` project: signs alice in once, so the flows in e2e/flows/ start signed in.
setup('alice signs in through the dev IdP', async ({ page }) => {
  await signInAndSave(page);
});
