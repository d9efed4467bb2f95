import { describe, expect, it } from 'vitest';
import { DryRunEnv, FuseEnv, SharedTokensEnv } from './fragments.js';
import { ConfigError, loadConfig } from './load-config.js';

describe('safety configuration', () => {
  it('defaults: no dry run; the fuse at 50% past 2 deletions, vanished refused', () => {
    expect(loadConfig(DryRunEnv, {}).VMSYNC_DRY_RUN).toBe(false);
    expect(loadConfig(FuseEnv, {})).toEqual({
      VMSYNC_FUSE_MAX_SHARE: 0.5,
      VMSYNC_FUSE_MIN_DELETIONS: 2,
      VMSYNC_FUSE_WINDOW_S: 900,
      VMSYNC_FUSE_HOLD_S: 604_800,
      VMSYNC_FUSE_VANISHED: 'refuse',
    });
  });

  it('reads the dry-run flag as operators write it', () => {
    for (const on of ['true', '1', 'yes']) {
      expect(loadConfig(DryRunEnv, { VMSYNC_DRY_RUN: on }).VMSYNC_DRY_RUN).toBe(true);
    }
    expect(loadConfig(DryRunEnv, { VMSYNC_DRY_RUN: 'no' }).VMSYNC_DRY_RUN).toBe(false);
    expect(() => loadConfig(DryRunEnv, { VMSYNC_DRY_RUN: 'maybe' })).toThrow(/VMSYNC_DRY_RUN/);
  });

  it('refuses a share outside 0..1 and an unknown vanished policy, by name', () => {
    expect(() => loadConfig(FuseEnv, { VMSYNC_FUSE_MAX_SHARE: '1.5' })).toThrow(ConfigError);
    expect(() => loadConfig(FuseEnv, { VMSYNC_FUSE_VANISHED: 'sometimes' })).toThrow(
      /VMSYNC_FUSE_VANISHED/,
    );
    expect(loadConfig(FuseEnv, { VMSYNC_FUSE_MAX_SHARE: '0.2' }).VMSYNC_FUSE_MAX_SHARE).toBe(0.2);
  });
});

describe('shared access tokens', () => {
  it('are on unless an operator turns them off', () => {
    expect(loadConfig(SharedTokensEnv, {}).VMSYNC_SHARE_ACCESS_TOKENS).toBe(true);
    expect(
      loadConfig(SharedTokensEnv, { VMSYNC_SHARE_ACCESS_TOKENS: 'false' })
        .VMSYNC_SHARE_ACCESS_TOKENS,
    ).toBe(false);
    expect(() => loadConfig(SharedTokensEnv, { VMSYNC_SHARE_ACCESS_TOKENS: 'sometimes' })).toThrow(
      /VMSYNC_SHARE_ACCESS_TOKENS/,
    );
  });
});
