// The web's side of training: after a reader changes what trains a topic (a label, its text, its
// settings, a star when the topic learns from stars), the topic's model is queued for training. A
// queue that cannot be reached only delays the update: the listing queues a stale topic again.
import { childLogger } from "../logger";
import { appQueue, enqueueTraining } from "../queue";

export async function queueTraining(topicIds: string[]): Promise<void> {
  try {
    for (const id of new Set(topicIds)) await enqueueTraining(appQueue(), id);
  } catch (error) {
    childLogger("topics").warn({ err: error, topicIds }, "queueing topic training failed; it is queued again when the topic is next shown");
  }
}
