import { describe, expect, it } from 'vitest';
import type { RemoteHealth } from '../../src/index.js';
import { detectCloudChange, nextMark } from '../../src/recovery/index.js';

const health = (fields: Partial<RemoteHealth>): RemoteHealth => ({ online: true, latencyMs: 1, ...fields });

describe('noticing a cloud that changed under the device', () => {
  it('a first contact, or a cloud that names no marks, is no change', () => {
    expect(detectCloudChange({}, health({ epoch: 'e1', highWater: '5', nextTxid: '900' }), 800n)).toBeUndefined();
    expect(detectCloudChange({ epoch: 'e1', highWater: '50' }, health({}), 800n)).toBeUndefined();
  });

  it('another epoch is a replaced cloud, whatever its marks', () => {
    expect(detectCloudChange({ epoch: 'e1', highWater: '5' }, health({ epoch: 'e2', highWater: '90', nextTxid: '900' }), 800n)).toBe('replaced');
  });

  it('a high-water mark below the one recorded is a rewound cloud; compared as integers, not text', () => {
    expect(detectCloudChange({ epoch: 'e1', highWater: '100' }, health({ epoch: 'e1', highWater: '99' }), undefined)).toBe('rewound');
    expect(detectCloudChange({ epoch: 'e1', highWater: '99' }, health({ epoch: 'e1', highWater: '100' }), undefined)).toBeUndefined();
  });

  it('a next transaction id at or below a pull cursor is a cloud moved to another cluster', () => {
    expect(detectCloudChange({ epoch: 'e1', highWater: '9' }, health({ epoch: 'e1', highWater: '9', nextTxid: '800' }), 800n)).toBe('moved');
    expect(detectCloudChange({ epoch: 'e1', highWater: '9' }, health({ epoch: 'e1', highWater: '9', nextTxid: '801' }), 800n)).toBeUndefined();
  });

  it('keeps the larger high-water mark, or the cloud\'s own once the device recovered', () => {
    expect(nextMark({ epoch: 'e1', highWater: '100' }, health({ epoch: 'e1', highWater: '99' }), false)).toEqual({ epoch: 'e1', highWater: '100' });
    expect(nextMark({ epoch: 'e1', highWater: '100' }, health({ epoch: 'e1', highWater: '99' }), true)).toEqual({ epoch: 'e1', highWater: '99' });
    expect(nextMark({ epoch: 'e1', highWater: '100' }, health({ epoch: 'e1', highWater: '120' }), false)).toEqual({ epoch: 'e1', highWater: '120' });
  });
});
