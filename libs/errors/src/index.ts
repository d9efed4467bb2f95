export { isRetriable, VmsyncError } from './vmsync-error.js';
