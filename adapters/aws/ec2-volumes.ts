/**
 * The aws-backup runner's EBS port on @aws-sdk/client-ec2: the restored volume read back (DescribeVolumes), tagged
 * with the sandbox marker (CreateTags) and deleted. A missing volume is an answer (undefined); every other SDK
 * error is thrown as is, for the runner to classify.
 */
import {
  CreateTagsCommand,
  DeleteVolumeCommand,
  DescribeVolumesCommand,
  EC2Client,
  type Volume,
} from '@aws-sdk/client-ec2';
import type { Ec2VolumeFacts, Ec2VolumePort } from './aws-backup-restore.ts';

const isNotFound = (e: unknown) => (e as { name?: string })?.name === 'InvalidVolume.NotFound';

export function sdkEc2Volumes(client: EC2Client = new EC2Client({})): Ec2VolumePort {
  return {
    async describeVolume(volumeId) {
      let volumes: Volume[];
      try {
        volumes = (await client.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }))).Volumes ?? [];
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
      const volume = volumes.find((v) => v.VolumeId === volumeId);
      if (volume === undefined) return undefined;
      const facts: Ec2VolumeFacts = {
        state: volume.State ?? 'unknown',
        tags: Object.fromEntries(
          (volume.Tags ?? []).flatMap((t) => (t.Key === undefined ? [] : [[t.Key, t.Value ?? '']])),
        ),
      };
      if (volume.Size !== undefined) facts.sizeGiB = volume.Size;
      if (volume.Encrypted !== undefined) facts.encrypted = volume.Encrypted;
      return facts;
    },
    async tagVolume(volumeId, tags) {
      await client.send(
        new CreateTagsCommand({
          Resources: [volumeId],
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    },
    async deleteVolume(volumeId) {
      await client.send(new DeleteVolumeCommand({ VolumeId: volumeId }));
    },
  };
}
