/**
 * The layer rules of ARCHITECTURE.md, checked by `npm run lint` (and so by CI). Layers, bottom up:
 * base (config, errors) · domain (events, deciders, lifecycle rules) · database, infra ·
 * eventstore, dispatch, leases, presence · commands (handling), projections (read side) ·
 * reactors, queue, workers, stream, metrics, ops · http · cli, stack.
 */
const domain = '^src/(events/|commands/(decider|deciders)\\.ts$|commands/(agent|hitl|pool|project|task|workflow)/|workers/autoscaler\\.ts$)'
const io = '^src/(infra|database|eventstore|dispatch|leases|presence|projections|reactors|queue|workers|stream|metrics|ops|http|cli|stack)/'

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'modules that import each other cannot be understood (or moved) one at a time', from: {}, to: { circular: true } },
    { name: 'domain-is-pure', severity: 'error', comment: 'deciders, events and lifecycle rules import no IO: time, ids and state come in as arguments', from: { path: domain }, to: { path: io } },
    { name: 'domain-stays-inside', severity: 'error', comment: 'the pure domain does not reach the command handling around it', from: { path: domain }, to: { path: '^src/commands/(handle-command|write-side|raise-input-request)\\.ts$' } },
    { name: 'base-is-base', severity: 'error', comment: 'config and errors are below everything', from: { path: '^src/(config|errors)\\.ts$' }, to: { path: '^src/(?!config\\.ts|errors\\.ts)' } },
    { name: 'database-is-plain', severity: 'error', comment: 'the schema and its migrations sit below every user of them', from: { path: '^src/database/' }, to: { path: '^src/(?!database/|config\\.ts|errors\\.ts)' } },
    { name: 'infra-below-everything', severity: 'error', comment: 'clients know nothing of the layers that use them', from: { path: '^src/infra/' }, to: { path: '^src/(eventstore|dispatch|leases|presence|commands/(handle-command|write-side)|projections|reactors|queue|workers|stream|metrics|ops|http|cli|stack)/' } },
    { name: 'eventstore-is-a-seam', severity: 'error', comment: 'the event store sits below both sides: it knows deciders, never read models, handlers or roles', from: { path: '^src/eventstore/' }, to: { path: '^src/(commands/(handle-command|write-side)|projections|reactors|queue|workers|stream|metrics|ops|http|cli)/' } },
    { name: 'shared-pieces-below-their-users', severity: 'error', comment: 'dispatch topics, run leases and heartbeats are used by several roles, so they depend on none of them', from: { path: '^src/(dispatch|leases|presence)/' }, to: { path: '^src/(commands/(handle-command|write-side)|projections|reactors|queue|workers|stream|metrics|ops|http|cli)/' } },
    { name: 'read-side-reads', severity: 'error', comment: 'the read side never imports the write side\'s handling, nor process roles', from: { path: '^src/projections/' }, to: { path: '^src/(commands/(handle-command|write-side|raise-input-request)\\.ts$|reactors/|queue/|workers/|stream/|http/|cli/|ops/)' } },
    { name: 'write-side-never-reads-read-models', severity: 'error', comment: 'decisions come from the aggregate\'s own state, not from a lagging read model', from: { path: '^src/commands/' }, to: { path: '^src/(projections|reactors|queue|workers|http|cli)/' } },
    { name: 'roles-stay-apart', severity: 'error', comment: 'reactors and workers share pieces below them, not each other', from: { path: '^src/(reactors|workers)/' }, to: { path: '^src/(http|cli)/' } },
    { name: 'reactors-not-workers', severity: 'error', from: { path: '^src/reactors/' }, to: { path: '^src/workers/' } },
    { name: 'workers-not-reactors', severity: 'error', from: { path: '^src/workers/' }, to: { path: '^src/reactors/' } },
    { name: 'http-talks-to-commands-and-queries', severity: 'error', comment: 'routes issue commands and read queries; they do not reach into roles', from: { path: '^src/http/' }, to: { path: '^src/(workers|reactors|cli)/' } },
    { name: 'only-the-cli-knows-the-cli', severity: 'error', from: { path: '^src/(?!cli/|cli\\.ts)' }, to: { path: '^src/(cli/|cli\\.ts)' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
}
