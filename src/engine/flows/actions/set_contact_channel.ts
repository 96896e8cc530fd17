import { dependencyError } from '../core/events.ts';
import type { ActionDef } from '../definition/flow.ts';
import { channelModifier } from '../modifiers/channel.ts';
import { modifyContact } from './support/helpers.ts';
import { defineAction, uuidRefs, ONLINE } from './support/types.ts';

export default defineAction<ActionDef & { channel?: { uuid: string; name: string } | null }>({
  type: 'set_contact_channel',
  flowTypes: ONLINE,
  inspect: (a, add) => uuidRefs('channel', a.channel, add),
  execute(run, _step, a, log) {
    let channel = null;
    if (a.channel) {
      channel = run.session.assets.channel(a.channel.uuid) ?? null;
      if (!channel) {
        log('error', dependencyError('channel', a.channel));
        return;
      }
    }
    modifyContact(run, channelModifier(channel), log);
  },
});
