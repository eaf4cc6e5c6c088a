#!/bin/bash
#SBATCH -n 1
#SBATCH -t 5:00
#SBATCH -J dmtcp_serial
checkpoint_file=`ls ckpt_*.dmtcp -t|head -n 1`
checkpoint_interval=8
port=$(shuf -i 40000-60000 -n 1)
if [ -z $checkpoint_file ]; then
    dmtcp_launch -p $port -i $checkpoint_interval ./count
else
    dmtcp_restart -p $port -i $checkpoint_interval $checkpoint_file
fi
