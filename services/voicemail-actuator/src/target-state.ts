import { folderState } from '@vmsync/asterisk-spool';
import type { VoicemailAction, VoicemailState } from '@vmsync/events';

/**
 * The state an action leaves a message in, in app_voicemail's terms: heard = Old,
 * unheard = INBOX, deleted = Deleted, undeleted = Old. The actuator announces it as its
 * intent before acting, so the watcher recognises the change as an echo.
 */
export function targetState(action: VoicemailAction): VoicemailState {
  switch (action) {
    case 'ensure-heard':
    case 'ensure-saved':
      return folderState('Old');
    case 'ensure-unheard':
      return folderState('INBOX');
    case 'ensure-deleted':
      return folderState('Deleted');
  }
}
