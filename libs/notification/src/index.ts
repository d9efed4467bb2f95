export {
  SIGNED_REF_HEADER,
  type SignedRef,
  signRef,
  type VerifiedRef,
  verifyRef,
} from './signed-ref.js';
