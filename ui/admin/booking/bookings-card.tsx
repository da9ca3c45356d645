/**
 * The latest bookings (each reschedule chain once, at its latest booking) and
 * their HubSpot meetings. A member sees only the bookings they host: the
 * server filters by their e-mail (admin-routes.ts `GET /bookings`).
 */
import { Badge } from '../../shared/components/badge.tsx';
import { Card } from '../../shared/components/card.tsx';
import { formatDateTime } from '../platform/format.ts';
import type { BookingList } from './booking-api.ts';

const STATE = {
  scheduled: { label: 'Scheduled', tone: 'success' },
  rescheduled: { label: 'Rescheduled', tone: 'neutral' },
  cancelled: { label: 'Cancelled', tone: 'warning' },
} as const;

export function BookingsCard({ list }: { list: BookingList }) {
  const own = list.scope === 'own';
  return (
    <Card
      title={own ? 'Your bookings' : 'Bookings'}
      labelledBy="booking-list-title"
      description={own ? 'The bookings you host (your e-mail is the organizer’s).' : 'The latest bookings from every source, newest first.'}
    >
      {list.bookings.length === 0 ? (
        <p className="muted">{own ? 'No booking hosted by you yet.' : 'No booking yet.'}</p>
      ) : (
        <div className="table-wrap">
          <table className="table table-stack" aria-label="Bookings">
            <thead>
              <tr>
                <th scope="col">Booking</th>
                <th scope="col">Start</th>
                <th scope="col">Host</th>
                <th scope="col">State</th>
                <th scope="col">HubSpot meeting</th>
              </tr>
            </thead>
            <tbody>
              {list.bookings.map((b) => (
                <tr key={`${b.source}:${b.uid}`}>
                  <th scope="row">
                    {b.title}
                    <div className="muted small">
                      {b.meetingType.name} · {b.attendee.name} &lt;{b.attendee.email}&gt;
                    </div>
                  </th>
                  <td className="nowrap" data-label="Start">
                    <time dateTime={b.start}>{formatDateTime(b.start)}</time>
                  </td>
                  <td data-label="Host">{b.host.email}</td>
                  <td data-label="State">
                    <Badge tone={STATE[b.state].tone}>{STATE[b.state].label}</Badge>
                  </td>
                  <td className="mono" data-label="HubSpot meeting">
                    {b.hubspotMeetingId ?? <span className="muted">not written</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
