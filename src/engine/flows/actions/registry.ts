import type { ActionType } from './support/types.ts';
import addContactGroups from './add_contact_groups.ts';
import addContactUrn from './add_contact_urn.ts';
import addInputLabels from './add_input_labels.ts';
import callClassifier from './call_classifier.ts';
import callLlm from './call_llm.ts';
import callResthook from './call_resthook.ts';
import callWebhook from './call_webhook.ts';
import enterFlow from './enter_flow.ts';
import openTicket from './open_ticket.ts';
import playAudio from './play_audio.ts';
import removeContactGroups from './remove_contact_groups.ts';
import requestOptin from './request_optin.ts';
import sayMsg from './say_msg.ts';
import sendBroadcast from './send_broadcast.ts';
import sendEmail from './send_email.ts';
import sendMsg from './send_msg.ts';
import setContactChannel from './set_contact_channel.ts';
import setContactField from './set_contact_field.ts';
import setContactLanguage from './set_contact_language.ts';
import setContactName from './set_contact_name.ts';
import setContactStatus from './set_contact_status.ts';
import setContactTimezone from './set_contact_timezone.ts';
import setRunLocal from './set_run_local.ts';
import setRunResult from './set_run_result.ts';
import startSession from './start_session.ts';
import transferAirtime from './transfer_airtime.ts';

/** Every action type by its type name; adding an action means adding its file and one line here. */
const ACTIONS: ActionType[] = [
  addContactGroups,
  addContactUrn,
  addInputLabels,
  callClassifier,
  callLlm,
  callResthook,
  callWebhook,
  enterFlow,
  openTicket,
  playAudio,
  removeContactGroups,
  requestOptin,
  sayMsg,
  sendBroadcast,
  sendEmail,
  sendMsg,
  setContactChannel,
  setContactField,
  setContactLanguage,
  setContactName,
  setContactStatus,
  setContactTimezone,
  setRunLocal,
  setRunResult,
  startSession,
  transferAirtime,
];

const registry = new Map(ACTIONS.map((a) => [a.type, a]));

export function actionType(type: string): ActionType | undefined {
  return registry.get(type);
}

export const ACTION_TYPES = [...registry.keys()];
