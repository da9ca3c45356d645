/**
 * The Meeting booking page (issue 14): booking sources, meeting types, the
 * property sync for routing, the routing API token and the bookings — a
 * member's own only (docs/connectors/booking.md).
 */
import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../../shared/api.ts';
import { Alert } from '../../shared/components/alert.tsx';
import { Spinner } from '../../shared/components/spinner.tsx';
import { PageHeader } from '../shell.tsx';
import { bookingApi, type BookingList, type MeetingType, type SyncView } from './booking-api.ts';
import { BookingsCard } from './bookings-card.tsx';
import { RoutingTokenCard } from './routing-token-card.tsx';
import { MeetingTypesCard } from './meeting-types-card.tsx';
import { PropertySyncCard } from './property-sync-card.tsx';
import { SourcesCard } from './sources-card.tsx';

type State = {
  sources: Awaited<ReturnType<typeof bookingApi.sources>>;
  types: { meetingTypes: MeetingType[]; placeholders: Record<string, string> };
  sync: SyncView;
  bookings: BookingList;
};

export function BookingPage() {
  const [state, setState] = useState<State>();
  const [error, setError] = useState<string>();
  const load = useCallback(async () => {
    try {
      const [sources, types, sync, bookings] = await Promise.all([bookingApi.sources(), bookingApi.types(), bookingApi.sync(), bookingApi.bookings()]);
      setState({ sources, types, sync, bookings });
      setError(undefined);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <>
      <PageHeader
        title="Meeting booking"
        description="Bookings from Cal.com and immedio become HubSpot meetings on the attendee's record; HubSpot properties are kept in Spokes for routing."
      />
      {error && <Alert tone="danger">{error}</Alert>}
      {!state ? (
        !error && <Spinner label="Loading" />
      ) : (
        <div className="stack">
          <SourcesCard sources={state.sources} onChange={() => void load()} />
          <MeetingTypesCard types={state.types.meetingTypes} placeholders={state.types.placeholders} onChange={() => void load()} />
          <PropertySyncCard
            key={`${state.sync.contactProperties.join()}|${state.sync.companyProperties.join()}`}
            sync={state.sync}
            connected={!!state.sources.connectionId}
            onChange={() => void load()}
          />
          <RoutingTokenCard createdAt={state.sync.routingToken?.createdAt ?? null} onChange={() => void load()} />
          <BookingsCard list={state.bookings} />
        </div>
      )}
    </>
  );
}
