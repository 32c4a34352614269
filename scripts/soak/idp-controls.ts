/** The dev IdP's test controls (idp/test-controls.ts), as the soak uses them. */
import { idpControls as controlsFor } from '../../idp/controls-client';
import { IDP_URL } from './settings';

export type { FaultProfile, IdpStats } from '../../idp/controls-client';

export const idpControls = controlsFor(IDP_URL);
