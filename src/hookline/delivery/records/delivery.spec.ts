import { createHash } from 'node:crypto';
import { deliveryIdFor } from './delivery';

describe('deliveryIdFor', () => {
  it('keeps the ids of earlier releases: queued jobs and receivers de-duplicating on webhook-id depend on them', () => {
    // The derivation as first released: SHA-256 of event id, NUL, consumer id; base64url, 22 characters.
    const released = (eventId: string, consumerId: string) =>
      'dlv_' + createHash('sha256').update(eventId).update('\0').update(consumerId).digest('base64url').slice(0, 22);
    for (const [eventId, consumerId] of [
      ['evt_1', 'acme/webhook/crm'],
      ['0b9f7c1e-3c55-4a8e-9b1d-5f0c2a7d9e11', 'globex/hook/welcome'],
      ['évènement', 'tenant/slack/ops'],
    ]) {
      expect(deliveryIdFor(eventId, consumerId)).toBe(released(eventId, consumerId));
    }
    expect(deliveryIdFor('evt_1', 'cons')).toBe('dlv_zEqGNfRt7YI3TGTXpbcP4Z');
  });

  it('gives each consumer of an event its own id', () => {
    expect(deliveryIdFor('evt_1', 'a/webhook/x')).not.toBe(deliveryIdFor('evt_1', 'a/webhook/y'));
    // The separator keeps ("ab", "c") and ("a", "bc") apart.
    expect(deliveryIdFor('ab', 'c')).not.toBe(deliveryIdFor('a', 'bc'));
  });
});
