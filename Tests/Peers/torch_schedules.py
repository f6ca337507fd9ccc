"""PyTorch's learning rates for cnnc's per-step and history schedules, to compare with metrics.csv's learning_rate
column (the rate of each epoch's last step).

usage: torch_schedules.py onecycle LR EPOCHS STEPS_PER_EPOCH            one rate per epoch (OneCycleLR, cycle_momentum off)
       torch_schedules.py plateau LR FACTOR PATIENCE THRESHOLD LOSS...   the rate of each epoch, given the previous
                                                                        epochs' monitored losses (ReduceLROnPlateau)"""
import sys
import torch

kind = sys.argv[1]
weights = [torch.nn.Parameter(torch.zeros(1))]
if kind == 'onecycle':
    lr, epochs, steps = float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    optimizer = torch.optim.SGD(weights, lr=lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=epochs * steps, cycle_momentum=False)
    rates = []
    for step in range(epochs * steps):
        if step % steps == steps - 1:
            rates.append(optimizer.param_groups[0]['lr'])
        optimizer.step()
        schedule.step()
    print(' '.join(repr(r) for r in rates))
elif kind == 'plateau':
    lr, factor, patience, threshold = float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    losses = [float(x) for x in sys.argv[6:]]
    optimizer = torch.optim.SGD(weights, lr=lr)
    schedule = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=factor, patience=patience, threshold=threshold)
    rates = [optimizer.param_groups[0]['lr']]
    for loss in losses[:-1]:
        schedule.step(loss)
        rates.append(optimizer.param_groups[0]['lr'])
    print(' '.join(repr(r) for r in rates))
