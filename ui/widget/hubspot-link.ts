/**
 * The widget's end of the Calling Extensions SDK (one instance per page): what
 * HubSpot sends, turned into typed callbacks, and what HubSpot is told, built
 * from the call (payloads as the SDK's src/types.ts and
 * shared/reference/calling-extensions.md §3–§4 give them). The call state
 * machine (controller.ts) decides *when*; this file decides *what goes on the wire*.
 */
import * as sdk from '@hubspot/calling-extensions-sdk';
import type { EndStatus, EventHandlers, OnInitialized } from '@hubspot/calling-extensions-sdk';
import { engagementProperties, type ActiveCall, type CallRecord } from './call-model.ts';

// The package has no "exports" map and no "type": TypeScript (nodenext) sees a CommonJS module whose default
// export sits one level down, while Vite bundles the ESM build, where it is the namespace's default.
type SdkClass = typeof sdk.default.default;
const CallingExtensions = ((sdk.default as { default?: SdkClass }).default ?? sdk.default) as SdkClass;

/** `onReady`: HubSpot's SYNC context. */
export interface ReadyData {
  portalId?: number;
  userId?: number;
  ownerId?: number;
  iframeLocation?: string;
}

export interface HubSpotEvents {
  ready(data: ReadyData): void;
  /** DIAL_NUMBER: the number, and the record it belongs to (`calleeInfo`, never `objectId`: SDK #207/#216). */
  dialNumber(number: string, callee: CallRecord | null, country?: string): void;
  engagementCreated(engagementId: number | undefined): void;
  engagementFailed(message: string | undefined): void;
  saved(engagementId: number | undefined): void;
  saveFailed(message: string | undefined): void;
  /** CALLER_ID_MATCH_SUCCEEDED: the first contact match (else the first match), named. */
  callerIdMatch(match: { name: string; record: CallRecord }): void;
  visibilityChanged(visibility: { isHidden: boolean; isMinimized: boolean }): void;
  endCall(): void;
  /** A failure HubSpot reports that the salesperson should know about. */
  warn(text: string): void;
}

type ErrorData = { error?: { message?: string } };

export class HubSpotLink {
  readonly #sdk: InstanceType<SdkClass>;

  constructor(events: HubSpotEvents) {
    const handlers: EventHandlers = {
      onReady: (data: ReadyData) => events.ready(data ?? {}),
      onDialNumber: (data: {
        phoneNumber?: string;
        phone_number?: string;
        countryCode?: string;
        calleeInfo?: { calleeId?: number; calleeObjectTypeId?: string };
      }) => {
        const number = String(data.phoneNumber ?? data.phone_number ?? '').trim();
        const callee = data.calleeInfo?.calleeId
          ? { objectId: Number(data.calleeInfo.calleeId), objectTypeId: String(data.calleeInfo.calleeObjectTypeId ?? '0-1') }
          : null;
        // The number's country as HubSpot knows it: numbers saved without a country code are read with it.
        const country = typeof data.countryCode === 'string' && /^[A-Za-z]{2}$/.test(data.countryCode) ? data.countryCode.toUpperCase() : undefined;
        events.dialNumber(number, callee, country);
      },
      onEngagementCreated: (data: { engagementId?: number }) => events.engagementCreated(data.engagementId),
      onCreateEngagementSucceeded: (data: { engagementId?: number }) => events.engagementCreated(data.engagementId),
      onCreateEngagementFailed: (data: ErrorData) => events.engagementFailed(data.error?.message),
      onUpdateEngagementSucceeded: (data: { engagementId?: number }) => events.saved(data.engagementId),
      onUpdateEngagementFailed: (data: ErrorData) => events.saveFailed(data.error?.message),
      onCallerIdMatchSucceeded: (data: { callerIdMatches?: Array<Record<string, unknown>> }) => {
        const matches = data.callerIdMatches ?? [];
        const first = matches.find((m) => m.callerIdType === 'CONTACT') ?? matches[0];
        if (!first) return;
        const c = first.objectCoordinates as { objectId: number; objectTypeId: string };
        const name =
          first.callerIdType === 'CONTACT'
            ? [first.firstName, first.lastName].filter(Boolean).join(' ') || String(first.email ?? '')
            : String(first.name ?? '');
        events.callerIdMatch({ name, record: { objectId: Number(c.objectId), objectTypeId: String(c.objectTypeId) } });
      },
      // HubSpot found nobody: Spokes' own match (or the number) is what the widget shows anyway.
      onCallerIdMatchFailed: () => {},
      onNavigateToRecordFailed: () => events.warn('HubSpot could not open that record. It may have been deleted or merged.'),
      // Nothing pauses while hidden: the call, its events and the timer keep going.
      onVisibilityChanged: (data: { isHidden?: boolean; isMinimized?: boolean }) =>
        events.visibilityChanged({ isHidden: !!data.isHidden, isMinimized: !!data.isMinimized }),
      onEndCall: () => events.endCall(),
      onInitiateCallIdSucceeded: () => {},
      onInitiateCallIdFailed: (data: ErrorData) =>
        events.warn(
          `HubSpot did not accept this call's number${data?.error?.message ? `: ${data.error.message}` : ''}. The call goes on; Spokes logs it when it ends.`,
        ),
      onPublishToChannelSucceeded: () => {},
      onPublishToChannelFailed: () => events.warn('HubSpot could not publish the call to its channel.'),
      onFinalizeEngagementSucceeded: () => {},
      onFinalizeEngagementFailed: () => events.warn('HubSpot could not finalize the call record.'),
      onSetWidgetUrlFailed: () => events.warn('HubSpot could not reload the widget.'),
      onSetCallState: () => {},
      // The SDK's catch-all is only reached by a literal "FAILED" message (reference §3): every *_FAILED is handled above.
      onFailed: (data: unknown) => console.warn('HubSpot reported a failure', data),
      defaultEventHandler: (data: unknown, event: unknown) => console.debug('Unhandled message from HubSpot', event ?? data),
    };
    this.#sdk = new CallingExtensions({ debugMode: false, eventHandlers: handlers });
  }

  initialized(isLoggedIn: boolean, sizeInfo: { width: number; height: number }): void {
    this.#sdk.initialized({ isLoggedIn, isAvailable: isLoggedIn, sizeInfo } as OnInitialized);
  }

  loggedIn(): void {
    this.#sdk.userLoggedIn();
  }

  loggedOut(): void {
    this.#sdk.userLoggedOut();
  }

  available(): void {
    this.#sdk.userAvailable();
  }

  unavailable(): void {
    this.#sdk.userUnavailable();
  }

  resize(width: number, height: number): void {
    this.#sdk.resizeWidget({ width, height });
  }

  /** HubSpot's alert pop-up. */
  error(message: string): void {
    this.#sdk.sendError({ message });
  }

  /**
   * Tells HubSpot of a call (`outgoingCall` / `incomingCall`). `createEngagement`: HubSpot creates the call's
   * engagement (CREATE_ENGAGEMENT_SUCCEEDED); false when it already has one (another tab or page announced
   * the call) — the SDK makes it optional for that case (PR #140).
   */
  announce(call: ActiveCall, createEngagement: boolean): void {
    const base = { externalCallId: call.callId!, callStartTime: call.startedAt, createEngagement };
    if (call.direction === 'outbound') this.#sdk.outgoingCall({ ...base, toNumber: call.number, fromNumber: call.extension });
    else this.#sdk.incomingCall({ ...base, fromNumber: call.number, toNumber: call.extension });
  }

  callAnswered(call: ActiveCall): void {
    this.#sdk.callAnswered({ externalCallId: call.callId! });
  }

  callEnded(call: ActiveCall, status: EndStatus): void {
    this.#sdk.callEnded({ externalCallId: call.callId ?? '', engagementId: call.engagementId ?? 0, callEndStatus: status });
  }

  /** Notes and outcome onto HubSpot's engagement; HubSpot answers UPDATE_ENGAGEMENT_SUCCEEDED/FAILED. */
  callCompleted(call: ActiveCall, ownerId: string | number | null): void {
    this.#sdk.callCompleted({
      externalCallId: call.callId ?? '',
      engagementId: call.engagementId ?? undefined,
      hideWidget: false,
      engagementProperties: engagementProperties(call, ownerId),
    });
  }

  /** Opens the call's record in HubSpot: Spokes' match, else HubSpot's caller-id match, else the dialled record. */
  navigateToRecord(call: ActiveCall, portalId: number): void {
    const record = call.match
      ? { objectId: Number(call.match.objectId), objectTypeId: call.match.objectType === 'company' ? '0-2' : '0-1' }
      : (call.hubspotMatch?.record ?? call.callee);
    if (!record) return;
    this.#sdk.navigateToRecord({
      objectCoordinates: { portalId, objectId: record.objectId, objectTypeId: record.objectTypeId as '0-1' | '0-2' },
      engagementId: call.engagementId ?? undefined,
    });
  }
}
