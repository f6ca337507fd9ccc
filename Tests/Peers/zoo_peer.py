"""Shared by the zoo's peer checks: the torchvision model a spec's `# peer: constructor(arguments)` line names."""
import re, sys
import torchvision


def peer_of(spec):
    """The `# peer:` line's constructor call, e.g. 'resnet18()' or 'googlenet(aux_logits=False, init_weights=True)'."""
    for line in open(spec):
        match = re.match(r'#\s*peer:\s*(\S.*)$', line)
        if match:
            return match.group(1).strip()
    sys.exit(f'{spec}: no "# peer: constructor()" line')


def torchvision_model(spec):
    """A new torchvision.models network, as the spec's `# peer:` line builds it."""
    return eval('torchvision.models.' + peer_of(spec), {'torchvision': torchvision})
