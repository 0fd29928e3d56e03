import { Link, useNavigate } from 'react-router';
import { PageHeader } from '../components/PageHeader.tsx';
import { SpecEditor } from '../components/SpecEditor.tsx';
import { createSpec } from '../specs.ts';

export function NewSpec() {
  const navigate = useNavigate();
  return (
    <>
      <title>New spec · Autonomous Agents</title>
      <PageHeader title="New spec" subtitle="An app spec is what the agent reads first: the app, its users, pages, features and technology." />
      <SpecEditor
        submitLabel="Save spec"
        submittingLabel="Saving…"
        onSubmit={async (input) => {
          const spec = await createSpec(input);
          await navigate(`/specs/${encodeURIComponent(spec.id)}`, { state: { saved: true } });
        }}
        secondaryActions={
          <Link to="/specs" className="button button--ghost">
            Cancel
          </Link>
        }
      />
    </>
  );
}
