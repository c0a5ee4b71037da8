/**
 * A requester's response queue: `<host>_<pid>_bus_<random>`, as this bus and MassTransit name them.
 * It belongs to the process that made it, lives as long as that process, and is not durable; no
 * other process may declare it (a durable copy made by a responder after a broker restart would stop
 * its owner from declaring it again), and its name is no metric label (a new series every run).
 */
export function isResponseQueueName(name: string): boolean {
  return /_bus_[0-9a-z]{8,}$/i.test(name.replace(/[?#].*$/, ''));
}
