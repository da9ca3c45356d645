import { Card } from '../shared/components/card.tsx';
import { Link } from './router.tsx';
import { PageHeader } from './shell.tsx';

export function NotFoundPage() {
  return (
    <div className="page">
      <PageHeader title="Page not found" description="There is no admin page at this address." />
      <Card>
        <p>
          Go to the <Link to="/admin/overview">Overview</Link>.
        </p>
      </Card>
    </div>
  );
}
