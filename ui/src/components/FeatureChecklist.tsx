import type { Feature } from '../types.ts';

interface CategoryGroup {
  category: string;
  features: Feature[];
  passing: number;
}

/** Groups features by category, keeping the order the agent wrote them in. */
function groupByCategory(features: Feature[]): CategoryGroup[] {
  const groups = new Map<string, CategoryGroup>();
  for (const feature of features) {
    const category = feature.category.trim() || 'Uncategorised';
    let group = groups.get(category);
    if (!group) {
      group = { category, features: [], passing: 0 };
      groups.set(category, group);
    }
    group.features.push(feature);
    if (feature.passes) group.passing += 1;
  }
  return [...groups.values()];
}

export function FeatureChecklist({ features }: { features: Feature[] }) {
  return (
    <div className="checklist">
      {groupByCategory(features).map((group) => (
        <section key={group.category} className="checklist__group" aria-label={`${group.category} features`}>
          <h3 className="checklist__category">
            <span>{group.category}</span>
            <span className="checklist__count">
              {group.passing} / {group.features.length} passing
            </span>
          </h3>
          <ul className="checklist__items">
            {group.features.map((feature, index) => (
              <FeatureItem key={`${index}-${feature.description}`} feature={feature} />
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

function FeatureItem({ feature }: { feature: Feature }) {
  const state = feature.passes ? 'pass' : 'fail';
  return (
    <li className={`feature feature--${state}`} data-testid="feature-item" data-passes={feature.passes}>
      <span className="feature__mark" aria-hidden="true">
        {feature.passes ? '✓' : '○'}
      </span>
      <div className="feature__body">
        <p className="feature__description">
          <span className="visually-hidden">{feature.passes ? 'Passing: ' : 'Not passing yet: '}</span>
          {feature.description}
        </p>
        {feature.steps.length > 0 && (
          <details className="feature__steps">
            <summary>
              {feature.steps.length} {feature.steps.length === 1 ? 'step' : 'steps'}
            </summary>
            <ol>
              {feature.steps.map((step, index) => (
                <li key={index}>{step}</li>
              ))}
            </ol>
          </details>
        )}
      </div>
    </li>
  );
}
